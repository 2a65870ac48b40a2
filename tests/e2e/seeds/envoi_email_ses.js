var AWS = require('aws-sdk') ;

exports.handler = function(event, context) {

        console.log(event);
        event.Records.forEach(function(record) {
                if (record.eventName == 'INSERT') {

                        var ses = new AWS.SES();

                        var email  = record.dynamodb.Keys.email.S ;
                        var prenom = record.dynamodb.NewImage.prenom.S ;
                        var nom    = record.dynamodb.NewImage.nom.S ;

                        var params = {
                                Destination: { ToAddresses: [ email ] },

                                Message: {
                                        Body: {
                                                Text: {
                                                        Data: 'Bienvenue '+ prenom + ' ' + nom + ' !\n\nMerci de valider votre e-mail: https://s3-eu-west-1.amazonaws.com/agh-osones/valider.html?email='+email,
                                                        Charset: 'UTF-8'
                                                }
                                        },
                                        Subject: {
                                                Data: 'Bienvenue '+ prenom + ' ' + nom + ' !',
                                                Charset: 'UTF-8'
                                        }
                                },
                                Source: 'alexis.gunst@osones.com',
                        };

                        console.log(params);

                        ses.sendEmail (params, function(err, data) {
                                if (err) context.fail (err) ;
                                else     context.succeed (data) ;
                        });
                }
        });
};
